"""Translations of offer names and descriptions, by offer template and ISO 639-1 code."""

from __future__ import annotations

TRANSLATIONS: dict[str, dict[str, tuple[str, str]]] = {
    "integrationskurs": {
        "en": ("Integration course",
               "Learn German up to level B1 and get to know everyday life, history and politics "
               "in Germany."),
        "ar": ("دورة الاندماج",
               "في دورة الاندماج تتعلم اللغة الألمانية حتى المستوى B1 وتتعرف على الحياة في "
               "ألمانيا."),
        "uk": ("Інтеграційний курс",
               "На інтеграційному курсі ви вивчаєте німецьку мову до рівня B1 та дізнаєтеся "
               "про життя в Німеччині."),
        "tr": ("Uyum kursu",
               "Uyum kursunda B1 seviyesine kadar Almanca öğrenir ve Almanya'daki yaşamı "
               "tanırsınız."),
    },
    "integrationskurs-alpha": {
        "en": ("Integration course with literacy training",
               "For people who cannot yet read and write, or who are learning the Latin "
               "alphabet for the first time."),
        "ar": ("دورة الاندماج مع محو الأمية",
               "دورة لمن لا يستطيع القراءة والكتابة بعد أو يتعلم الحروف اللاتينية لأول مرة."),
    },
    "mbe": {
        "en": ("Migration counselling for adults (MBE)",
               "Free and confidential advice for immigrants aged 27 and over on language, work, "
               "housing and residence."),
        "ar": ("استشارات الهجرة للبالغين",
               "نساعد المهاجرين من عمر 27 سنة في الأسئلة المتعلقة باللغة والعمل والسكن "
               "والإقامة. الاستشارة مجانية وسرية."),
        "uk": ("Міграційна консультація для дорослих",
               "Допомагаємо мігрантам від 27 років з питаннями мови, роботи, житла та "
               "перебування. Консультація безкоштовна та конфіденційна."),
        "tr": ("Yetişkinler için göç danışmanlığı",
               "27 yaş üstü göçmenlere dil, iş, konut ve oturum konularında destek veriyoruz. "
               "Danışmanlık ücretsiz ve gizlidir."),
    },
    "jmd": {
        "en": ("Youth migration service",
               "Advice and support for young immigrants aged 12 to 27 on school, training and "
               "work."),
        "ar": ("خدمة هجرة الشباب",
               "استشارة ومرافقة للشباب المهاجرين من 12 إلى 27 سنة في المدرسة والتدريب المهني."),
        "uk": ("Міграційна служба для молоді",
               "Консультації та супровід для молодих мігрантів віком від 12 до 27 років щодо "
               "школи, навчання та професії."),
    },
    "sprachcafe": {
        "en": ("Language café",
               "Practise speaking German over tea and coffee in a relaxed group. No "
               "registration needed."),
        "ar": ("مقهى اللغة",
               "تدرّب على التحدث بالألمانية في جو مريح مع الشاي والقهوة. لا حاجة للتسجيل."),
        "uk": ("Мовне кафе",
               "Практикуйте німецьку мову в невимушеній атмосфері за чаєм і кавою. Реєстрація "
               "не потрібна."),
        "tr": ("Dil kafesi",
               "Çay ve kahve eşliğinde rahat bir ortamda Almanca konuşma pratiği yapın. Kayıt "
               "gerekmez."),
    },
    "asylverfahrensberatung": {
        "en": ("Asylum procedure counselling",
               "Independent advice before, during and after the asylum procedure, including "
               "preparation for the interview."),
        "ar": ("استشارات إجراءات اللجوء",
               "استشارة مستقلة قبل وأثناء وبعد إجراءات اللجوء، والتحضير لمقابلة المكتب الاتحادي "
               "للهجرة واللاجئين."),
    },
    "schuldnerberatung": {
        "en": ("Debt counselling",
               "We help you get an overview of your debts and find a way out. Free and "
               "confidential."),
        "ar": ("استشارات الديون",
               "نساعدك في الحصول على نظرة شاملة على ديونك ونبحث معك عن حلول. الاستشارة مجانية "
               "وسرية."),
        "uk": ("Консультація з питань боргів",
               "Допомагаємо отримати огляд боргів і знайти вихід. Консультація безкоштовна та "
               "конфіденційна."),
        "tr": ("Borç danışmanlığı",
               "Borçlarınıza genel bir bakış sağlıyor ve sizinle birlikte çözüm arıyoruz. "
               "Danışmanlık ücretsiz ve gizlidir."),
    },
    "hausaufgabenhilfe": {
        "en": ("Homework help",
               "Volunteers help pupils with homework and with preparing for tests."),
        "ar": ("مساعدة في الواجبات المدرسية",
               "متطوعون يساعدون التلاميذ في الواجبات المدرسية والاستعداد للاختبارات."),
        "uk": ("Допомога з домашніми завданнями",
               "Волонтери допомагають школярам з домашніми завданнями та підготовкою до "
               "контрольних."),
        "tr": ("Ödev yardımı",
               "Gönüllüler öğrencilere ödevlerde ve sınavlara hazırlıkta yardım ediyor."),
    },
    "frauentreff": {
        "en": ("Women's meeting place",
               "A meeting place for women only: to talk, cook and learn together."),
        "ar": ("ملتقى النساء", "مكان لقاء للنساء فقط: للحديث والطبخ والتعلم معاً."),
        "tr": ("Kadın buluşması",
               "Sadece kadınlar için bir buluşma yeri: sohbet, yemek ve birlikte öğrenme."),
    },
    "bewerbungstraining": {
        "en": ("Job application training",
               "Write your CV and cover letter and practise job interviews in a small group."),
        "uk": ("Тренінг з подання заявок на роботу",
               "Складаємо резюме та супровідний лист і тренуємо співбесіди."),
        "tr": ("İş başvurusu eğitimi",
               "Özgeçmiş ve başvuru mektubu hazırlıyor, iş görüşmelerini prova ediyoruz."),
    },
    "kita-beratung": {
        "en": ("Advice on daycare places",
               "We help families find a place in a daycare centre and register online."),
        "ar": ("استشارة حول أماكن الحضانة",
               "نساعد العائلات في البحث عن مكان في الحضانة وفي التسجيل عبر الإنترنت."),
        "uk": ("Консультація щодо місця в дитсадку",
               "Допомагаємо родинам знайти місце в дитячому садку та зареєструватися онлайн."),
        "tr": ("Kreş yeri danışmanlığı",
               "Ailelere kreş yeri aramada ve çevrimiçi kayıtta yardımcı oluyoruz."),
    },
    "erziehungsberatung": {
        "en": ("Parenting and family counselling",
               "Free and confidential counselling for parents, children and young people when "
               "there are worries in the family."),
        "tr": ("Eğitim ve aile danışmanlığı",
               "Ailedeki sorunlarda ebeveynlere, çocuklara ve gençlere danışmanlık. Ücretsiz ve "
               "gizli."),
    },
    "psychotherapie": {
        "en": ("Psychotherapy with interpreters",
               "Psychotherapy for refugees who have lived through distressing experiences, with "
               "interpreters where needed."),
        "ar": ("العلاج النفسي مع الترجمة",
               "علاج نفسي للاجئين الذين مرّوا بتجارب صعبة، مع مترجمين عند الحاجة."),
        "uk": ("Психотерапія з перекладом",
               "Психотерапія для біженців із важким досвідом, за потреби з перекладачами."),
    },
    "gewaltberatung": {
        "en": ("Counselling on domestic violence",
               "Counselling for women who experience violence from a partner or family. You "
               "can contact us anonymously."),
        "ar": ("استشارة في حالات العنف المنزلي",
               "نقدم الاستشارة للنساء اللواتي يتعرضن للعنف في الأسرة أو العلاقة الزوجية. يمكن "
               "التواصل دون ذكر الاسم."),
        "tr": ("Ev içi şiddet danışmanlığı",
               "Aile içinde veya ilişkide şiddet yaşayan kadınlara danışmanlık veriyoruz. İsim "
               "vermeden de ulaşabilirsiniz."),
    },
    "lotsenpunkt": {
        "en": ("Integration guidance point – open consultation",
               "The first point of contact for all questions of newcomers. No appointment "
               "needed."),
        "ar": ("نقطة إرشاد الاندماج – ساعات استشارة مفتوحة",
               "أول نقطة اتصال لجميع أسئلة القادمين الجدد. بدون موعد."),
    },
    "ukraine-beratung": {
        "en": ("Counselling centre for refugees from Ukraine",
               "Advice in Ukrainian on residence, the jobcentre, school and housing."),
        "uk": ("Консультаційний центр для біженців з України",
               "Консультації українською мовою щодо перебування, Jobcenter, школи та житла."),
    },
    "anerkennungsberatung": {
        "en": ("Recognition of foreign qualifications",
               "We find out whether and where your foreign qualification can be recognised and "
               "support you until the decision."),
        "uk": ("Консультація з визнання іноземних дипломів",
               "Пояснюємо, чи і де можна визнати ваш іноземний диплом, і супроводжуємо до "
               "рішення."),
    },
    "medizinische-sprechstunde": {
        "en": ("Medical consultation for people without health insurance",
               "Volunteer doctors treat people who have no health insurance, anonymously."),
        "ar": ("عيادة طبية للأشخاص بدون تأمين صحي",
               "أطباء متطوعون يعالجون الأشخاص الذين ليس لديهم تأمين صحي، دون ذكر الاسم."),
    },
    "wohnraumvermittlung": {
        "en": ("Housing placement for refugees",
               "We place flats from private landlords and housing companies with refugees and "
               "accompany viewings."),
    },
    "begegnungscafe": {
        "en": ("Meeting café",
               "Long-standing residents and newcomers meet over coffee and cake."),
    },
}
